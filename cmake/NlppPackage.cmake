# Debian packages with CPack's DEB generator (`cpack -G DEB` in the build directory), one per
# install component (cmake/NlppInstall.cmake):
#   libnlpp0     lib    the shared libraries
#   libnlpp-dev  dev    headers, CMake package with nlpp_generate and nlpp-gen, pkg-config, API docs
#   nlpp-tools   tools  nlpp-ipvs, nlpp-ipvs-exporter, nlpp-ynl, nlpp-genl, specs, man pages,
#                       bash completion, the exporter's systemd unit and /etc/default file
# Versions are the project's; Depends come from the binaries (dpkg-shlibdeps) plus what the
# headers need. Debian installs under /usr: configure with -DCMAKE_INSTALL_PREFIX=/usr (nlpp-ynl
# looks for the packaged specs under the configured prefix). The static libraries are not
# packaged: they would need a second build of every library (BUILD_SHARED_LIBS=OFF).
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "nlpp: Debian packages want -DCMAKE_INSTALL_PREFIX=/usr (now ${CMAKE_INSTALL_PREFIX})")
endif()
set(NLPP_PACKAGE_MAINTAINER "nlpp developers <nlpp@localhost>" CACHE STRING "The Debian packages' Maintainer")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nlpp)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# CPack prepends the summary to each component's description unless it is CPack's default text;
# the components' descriptions below carry their own synopsis line.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_NAME} built using CMake")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT ${NLPP_PACKAGE_MAINTAINER})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL lib dev tools)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # name_version_arch.deb
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)  # the build's -g stays in the build tree
# Our own libraries are in libnlpp0 (Depends through the component dependencies below).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/src)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

# Debian's description: a synopsis line, then the extended text.
set(CPACK_DEBIAN_LIB_DESCRIPTION "modern C++20 netlink library: shared libraries
nlpp reads netlink messages and attributes as bounds-checked views, builds them with one
checked builder, returns errors as values with the kernel's extended ACK, and speaks generic
netlink, IPVS and any family described by a YNL spec.")
set(CPACK_DEBIAN_LIB_PACKAGE_NAME libnlpp0)
# A shlibs file: programs built against libnlpp0 depend on libnlpp0 (= this version) (0.x: a
# minor version may break the ABI).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)

set(CPACK_DEBIAN_DEV_DESCRIPTION "modern C++20 netlink library: development files
Headers, the CMake package (find_package(nlpp) with nlpp_generate and the nlpp-gen generator
it runs), the pkg-config file and the API reference in HTML.")
set(CPACK_COMPONENT_DEV_DEPENDS lib)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libnlpp-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# What the headers, the CMake package and nlpp.pc ask for.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libfmt-dev, libexpected-dev, nlohmann-json3-dev, libfyaml-dev")
if(TARGET nlpp_asio)  # nlpp/asio/ includes Asio's headers
  string(APPEND CPACK_DEBIAN_DEV_PACKAGE_DEPENDS ", libasio-dev")
endif()

set(CPACK_DEBIAN_TOOLS_DESCRIPTION "netlink tools: nlpp-ipvs (ipvsadm), nlpp-ynl, nlpp-genl
nlpp-ipvs administers IPVS like ipvsadm, with JSON listings and declarative state (apply);
nlpp-ipvs-exporter serves IPVS metrics to Prometheus; nlpp-ynl speaks any netlink family
described by a YNL spec with JSON in and out; nlpp-genl lists generic netlink families and
their policies.")
set(CPACK_COMPONENT_TOOLS_DEPENDS lib)
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME nlpp-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION net)

# Every package has its copyright file.
foreach(_component lib dev tools)
  string(TOUPPER ${_component} _upper)
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright
    DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${CPACK_DEBIAN_${_upper}_PACKAGE_NAME} COMPONENT ${_component})
endforeach()
# etc/ under the prefix (a relocatable install) is /etc in the package, where dpkg keeps the
# administrator's edits (conffiles).
if(TARGET nlpp-ipvs-exporter)
  file(WRITE ${PROJECT_BINARY_DIR}/packaging/tools/conffiles "/etc/default/nlpp-ipvs-exporter\n")
  set(CPACK_DEBIAN_TOOLS_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/packaging/tools/conffiles)
endif()
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/packaging/etc-to-root.cmake)
include(CPack)
