# Writes OUT: a C file defining `const char hm_irdl_<basename>[]` for each file in INPUTS.
set(content "/* Generated from the dialects/ IRDL files: do not edit. */\n")
foreach(input ${INPUTS})
  get_filename_component(base ${input} NAME_WE)
  file(READ ${input} text HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${text}")
  string(APPEND content "const char hm_irdl_${base}[] = {${bytes}0x00};\n")
endforeach()
file(WRITE ${OUT} "${content}")
