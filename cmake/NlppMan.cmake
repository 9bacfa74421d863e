# nlpp_man_page(tool section): the tool's man page, made at build time by help2man from its own
# --help and --version plus the written sections in docs/man/<tool>.h2m, installed under
# share/man/man<section> in the tool's install component (its NLPP_COMPONENT property, default
# tools: see NlppInstall.cmake). Left out when the build cannot run its tools (cross builds) or
# help2man is missing.
find_program(NLPP_HELP2MAN help2man)
function(nlpp_man_page tool section)
  get_target_property(component ${tool} NLPP_COMPONENT)
  if(NOT component)
    set(component tools)
  endif()
  if(NOT NLPP_HELP2MAN OR CMAKE_CROSSCOMPILING)
    return()
  endif()
  set(dir ${PROJECT_SOURCE_DIR}/docs/man)
  set(page ${PROJECT_BINARY_DIR}/man/man${section}/${tool}.${section})  # MANPATH=build/man works
  add_custom_command(OUTPUT ${page}
    COMMAND ${dir}/help2man.sh $<TARGET_FILE:${tool}> ${section} ${dir}/${tool}.h2m ${page}
    DEPENDS ${tool} ${dir}/${tool}.h2m ${dir}/help2man.sh
    COMMENT "Man page ${tool}(${section})")
  add_custom_target(${tool}-man ALL DEPENDS ${page})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT ${component})
  set_property(GLOBAL APPEND PROPERTY NLPP_MAN_PAGES ${tool}:${page})
endfunction()
