# Third-party libraries, all from Debian packages (scripts/install-deps.sh installs them).
# Boost settings live here and only here (STYLE.md rule 9).
find_package(Boost 1.74 REQUIRED)
add_library(vt_boost INTERFACE)
target_link_libraries(vt_boost INTERFACE Boost::headers ${CMAKE_DL_LIBS})
target_compile_definitions(vt_boost INTERFACE BOOST_DLL_USE_STD_FS BOOST_PROCESS_USE_STD_FS)

find_package(tomlplusplus REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(LibArchive REQUIRED)
# Downloads http(s) provider archives.
find_package(CURL REQUIRED)
find_package(LibXml2 REQUIRED)
find_package(Threads REQUIRED)
# SHA-256 of image recipes (libcrypto's EVP interface).
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
# Reads the gzip reference dumps of the Cartesian tests.
find_package(ZLIB REQUIRED)

# The Cartesian engine: ICU (Unicode character classes as Python has them) and PCRE2 (Python's
# regular expression syntax).
find_package(ICU REQUIRED COMPONENTS uc)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
