# ember_add_backend(NAME SOURCES ...): a backend plugin, libember_backend_<NAME>.so, built as a
# MODULE against the plugin SDK alone, exporting only its entry point.
function(ember_add_backend name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  set(target ember_backend_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  if(TARGET ember_plugin_sdk)
    target_link_libraries(${target} PRIVATE ember_plugin_sdk)
  else()
    target_link_libraries(${target} PRIVATE Ember::plugin_sdk)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME ember_backend_${name}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED EMBER_BACKEND_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${EMBER_BACKEND_OUTPUT_DIR})
  endif()
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
endfunction()
