# CPack pre-build script: a component's files under <prefix>/etc (staged as usr/etc) move to /etc,
# where Debian keeps configuration (/etc/default/nlpp-ipvs-exporter).
file(GLOB _nlpp_etc_dirs LIST_DIRECTORIES true "${CPACK_TEMPORARY_DIRECTORY}/*/usr/etc")
foreach(_dir IN LISTS _nlpp_etc_dirs)
  get_filename_component(_component_root "${_dir}/../.." ABSOLUTE)
  file(COPY "${_dir}/" DESTINATION "${_component_root}/etc")
  file(REMOVE_RECURSE "${_dir}")
endforeach()
