// placeholder until this concern has sources
