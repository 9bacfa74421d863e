# The API reference (docs/Doxyfile.in): target nlpp-docs writes build/docs/html from the public
# headers with Doxygen, part of the default build when Doxygen is found; installed into
# libnlpp-dev's doc directory (share/doc/libnlpp-dev/html, component dev).
# Every Doxygen warning, an undocumented public name included, fails the target
# (NLPP_DOXYGEN_WARN_AS_ERROR=FAIL_ON_WARNINGS; NO lets it pass while tests/docs/api_docs.sh still
# lists the warnings and fails).
find_package(Doxygen)
set(NLPP_DOXYGEN_WARN_AS_ERROR FAIL_ON_WARNINGS CACHE STRING "Doxygen's WARN_AS_ERROR: NO, YES or FAIL_ON_WARNINGS")
if(NOT DOXYGEN_FOUND)
  return()
endif()
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/docs)
configure_file(${PROJECT_SOURCE_DIR}/docs/Doxyfile.in ${PROJECT_BINARY_DIR}/docs/Doxyfile @ONLY)
file(GLOB_RECURSE _nlpp_public_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/nlpp/*.hpp)
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/docs/html/index.html
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${PROJECT_BINARY_DIR}/docs/html
  COMMAND ${DOXYGEN_EXECUTABLE} ${PROJECT_BINARY_DIR}/docs/Doxyfile
  DEPENDS ${_nlpp_public_headers} ${PROJECT_BINARY_DIR}/docs/Doxyfile
  COMMENT "API reference (Doxygen)")
add_custom_target(nlpp-docs ALL DEPENDS ${PROJECT_BINARY_DIR}/docs/html/index.html)
if(NLPP_INSTALL)
  install(DIRECTORY ${PROJECT_BINARY_DIR}/docs/html DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/libnlpp-dev COMPONENT dev)
endif()
