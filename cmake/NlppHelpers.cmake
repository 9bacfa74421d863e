# Warnings and the one way to declare an nlpp library target.

set(NLPP_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
    -Wcast-align -Wnon-virtual-dtor -Woverloaded-virtual -Wimplicit-fallthrough)
if(NLPP_WERROR)
  list(APPEND NLPP_WARNINGS -Werror)
endif()

# nlpp_warnings(target): the project's warning set on a target of ours.
function(nlpp_warnings target)
  target_compile_options(${target} PRIVATE ${NLPP_WARNINGS})
endfunction()

# nlpp_library(layer SOURCES ... PUBLIC ... PRIVATE ...): target nlpp_<layer>,
# alias nlpp::<layer>, library file libnlpp_<layer>.so.<major>. Without
# SOURCES the layer is headers only (an INTERFACE target, no library file).
function(nlpp_library layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  set(target nlpp_${layer})
  if(NOT ARG_SOURCES)
    add_library(${target} INTERFACE)
    add_library(nlpp::${layer} ALIAS ${target})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${layer})
    target_include_directories(${target} INTERFACE
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_compile_features(${target} INTERFACE cxx_std_20)
    target_link_libraries(${target} INTERFACE ${ARG_PUBLIC})
    set_property(GLOBAL APPEND PROPERTY NLPP_LIBRARIES ${target})
    return()
  endif()
  add_library(${target} ${ARG_SOURCES})
  add_library(nlpp::${layer} ALIAS ${target})
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${layer}
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE})
  nlpp_warnings(${target})
  set_property(GLOBAL APPEND PROPERTY NLPP_LIBRARIES ${target})
endfunction()

# nlpp_kernel_spec(VAR family): the path of an upstream kernel spec in NLPP_KERNEL_SPECS
# (rt-link.yaml or, in Debian's linux-source, rt_link.yaml), or empty when the set lacks it.
function(nlpp_kernel_spec var family)
  string(REPLACE "-" "_" _underscored ${family})
  set(${var} "" PARENT_SCOPE)
  foreach(name ${family} ${_underscored})
    if(EXISTS ${NLPP_KERNEL_SPECS}/${name}.yaml)
      set(${var} ${NLPP_KERNEL_SPECS}/${name}.yaml PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

# nlpp_not_run(text): something the kernel spec set at hand cannot build or
# check. A warning; appended to $NLPP_NOT_RUN for the test command's count;
# fatal under CI=true, where ../shared's full set is beside the project.
function(nlpp_not_run text)
  if("$ENV{CI}" STREQUAL "true")
    message(FATAL_ERROR "${text} (under CI=true every check must run)")
  endif()
  message(STATUS "not built or checked: ${text}")
  if(DEFINED ENV{NLPP_NOT_RUN})
    file(APPEND "$ENV{NLPP_NOT_RUN}" "${text}\n")
  endif()
endfunction()
