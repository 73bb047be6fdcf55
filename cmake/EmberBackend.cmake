# ember_add_backend(NAME SOURCES ... [DEVICE_FILES path ...]): a backend plugin,
# libember_backend_<NAME>.so, built as a MODULE against the plugin SDK alone, exporting only its
# entry point. DEVICE_FILES writes libember_backend_<NAME>.requires beside it: Ember skips the
# plugin without opening it when none of those paths exists (Note [Plugin requirements]); install
# $<TARGET_FILE_DIR:ember_backend_<NAME>>/libember_backend_<NAME>.requires with the library.
function(ember_add_backend name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEVICE_FILES" ${ARGN})
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
  if(ARG_DEVICE_FILES)
    list(JOIN ARG_DEVICE_FILES "\n" device_files)
    file(GENERATE OUTPUT $<TARGET_FILE_DIR:${target}>/libember_backend_${name}.requires
      CONTENT "# Any one of these must exist for ${name} to be loaded.\n${device_files}\n")
  endif()
endfunction()

# ember_add_plugin_check(NAME [ARGS ...]): a CTest, plugin_check_<NAME>, running the conformance
# suite (ember-plugin-check, with ARGS) against ember_backend_<NAME>. It reports a skip where the
# plugin finds no usable device (the checker's exit code 77), with the reason in its output.
function(ember_add_plugin_check name)
  if(TARGET ember-plugin-check)
    set(checker ember-plugin-check)
  else()
    set(checker Ember::plugin_check)
  endif()
  add_test(NAME plugin_check_${name} COMMAND ${checker} $<TARGET_FILE:ember_backend_${name}> ${ARGN})
  set_tests_properties(plugin_check_${name} PROPERTIES SKIP_RETURN_CODE 77)
endfunction()
