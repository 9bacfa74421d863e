# nlpp_generate(TARGET name SPECS file.yaml...)
#
# Typed C++ from YNL specs: runs nlpp-gen on each spec at build time and
# makes a library target `name` of the generated code, linking nlpp::gen
# (the headers in include/nlpp/gen/, over nlpp::genl: no YAML or JSON library).
# For spec rt-link.yaml include <rt_link.hpp>; its namespace is
# nlpp::gen::rt_link. Works in nlpp's own build and, through
# find_package(nlpp), in any project (the installed nlpp-gen is used).
function(nlpp_generate)
  cmake_parse_arguments(ARG "" "TARGET" "SPECS" ${ARGN})
  if(NOT ARG_TARGET OR NOT ARG_SPECS)
    message(FATAL_ERROR "nlpp_generate: give TARGET name SPECS file.yaml...")
  endif()
  if(TARGET nlpp-gen)
    set(gen $<TARGET_FILE:nlpp-gen>)
    set(gen_dep nlpp-gen)
  elseif(NLPP_GEN_EXECUTABLE)
    set(gen ${NLPP_GEN_EXECUTABLE})
    set(gen_dep ${NLPP_GEN_EXECUTABLE})
  else()
    message(FATAL_ERROR "nlpp_generate: no nlpp-gen (find_package(nlpp) sets NLPP_GEN_EXECUTABLE)")
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${ARG_TARGET}_generated)
  set(sources "")
  foreach(spec IN LISTS ARG_SPECS)
    get_filename_component(abs ${spec} ABSOLUTE)
    get_filename_component(stem ${spec} NAME_WE)
    string(REPLACE "-" "_" stem ${stem})
    add_custom_command(OUTPUT ${dir}/${stem}.hpp ${dir}/${stem}.cpp
      COMMAND ${gen} --spec ${abs} --out ${dir}
      DEPENDS ${abs} ${gen_dep}
      COMMENT "nlpp-gen ${spec}" VERBATIM)
    list(APPEND sources ${dir}/${stem}.cpp)
  endforeach()
  # Static, like the kernel's own generated C: the structs follow the spec, not an ABI.
  add_library(${ARG_TARGET} STATIC ${sources})
  set_target_properties(${ARG_TARGET} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${ARG_TARGET} PUBLIC $<BUILD_INTERFACE:${dir}>)
  target_link_libraries(${ARG_TARGET} PUBLIC nlpp::gen)
  target_compile_features(${ARG_TARGET} PUBLIC cxx_std_20)
endfunction()
