# Install rules: libraries, headers, tools, the CMake package
# (find_package(nlpp)) and a pkg-config file. Each rule names its component, the Debian package
# it goes to (cmake/NlppPackage.cmake): lib (libnlpp0: shared libraries), dev (libnlpp-dev:
# headers, static libraries, CMake package, pkg-config, nlpp-gen, API docs), tools (nlpp-tools).
# A tool goes to tools unless its NLPP_COMPONENT property says otherwise (nlpp-gen: dev); its
# man page (cmake/NlppMan.cmake) and bash completion (packaging/bash-completion/<tool>) follow it.
include(CMakePackageConfigHelpers)

get_property(_nlpp_libs GLOBAL PROPERTY NLPP_LIBRARIES)
get_property(_nlpp_programs GLOBAL PROPERTY NLPP_PROGRAMS)

# The layers with a library file (gen is headers only).
set(_nlpp_compiled "")
foreach(_lib IN LISTS _nlpp_libs)
  get_target_property(_type ${_lib} TYPE)
  if(NOT _type STREQUAL "INTERFACE_LIBRARY")
    list(APPEND _nlpp_compiled ${_lib})
  endif()
endforeach()

# Libraries find each other beside themselves (RUNPATH is not transitive).
set_target_properties(${_nlpp_compiled} PROPERTIES INSTALL_RPATH "$ORIGIN")
install(TARGETS ${_nlpp_libs} EXPORT nlpp-targets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT lib NAMELINK_COMPONENT dev
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/nlpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
if(_nlpp_programs)
  # Installed tools find the installed libraries relative to themselves (the tree relocates).
  set_target_properties(${_nlpp_programs} PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  foreach(_program IN LISTS _nlpp_programs)
    get_target_property(_component ${_program} NLPP_COMPONENT)
    if(NOT _component)
      set(_component tools)
    endif()
    install(TARGETS ${_program} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${_component})
    if(EXISTS ${PROJECT_SOURCE_DIR}/packaging/bash-completion/${_program})
      install(FILES ${PROJECT_SOURCE_DIR}/packaging/bash-completion/${_program}
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions COMPONENT ${_component})
    endif()
  endforeach()
endif()

set(NLPP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/nlpp)
install(EXPORT nlpp-targets NAMESPACE nlpp:: DESTINATION ${NLPP_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/nlpp-config.cmake.in
  ${PROJECT_BINARY_DIR}/nlpp-config.cmake INSTALL_DESTINATION ${NLPP_CMAKE_DIR} PATH_VARS CMAKE_INSTALL_BINDIR)
# 0.x: minor versions may break the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nlpp-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nlpp-config.cmake ${PROJECT_BINARY_DIR}/nlpp-config-version.cmake
  ${PROJECT_SOURCE_DIR}/cmake/NlppGenerate.cmake DESTINATION ${NLPP_CMAKE_DIR} COMPONENT dev)

set(NLPP_PC_LIBS "")
foreach(_lib IN LISTS _nlpp_compiled)
  string(PREPEND NLPP_PC_LIBS "-l${_lib} ")
endforeach()
# The .pc file finds its prefix relative to itself, so the tree relocates.
file(RELATIVE_PATH NLPP_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/nlpp.pc.in ${PROJECT_BINARY_DIR}/nlpp.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/nlpp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

# The project's own YNL specs (specs/ipvs.yaml...), found by nlpp-ynl.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/specs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/nlpp/specs COMPONENT tools
  FILES_MATCHING PATTERN "*.yaml")

# The exporter runs as a systemd service (installed disabled), its options in /etc/default
# (etc/default under the prefix; the Debian package moves it to /etc: cmake/NlppPackage.cmake).
if(TARGET nlpp-ipvs-exporter)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/nlpp-ipvs-exporter.service
    DESTINATION lib/systemd/system COMPONENT tools)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/nlpp-ipvs-exporter.default
    DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/default RENAME nlpp-ipvs-exporter COMPONENT tools)
endif()
