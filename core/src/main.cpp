// vtrun's entry point: wires the command line to the core, nothing else.
#include "vt/core/cli.h"

int main(int argc, char** argv) {
  return vt::core::run_cli(argc, argv);
}
