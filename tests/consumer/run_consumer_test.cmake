# Installs the Ember build at BUILD_DIR into a prefix, then configures, builds and runs the
# consumer project against it. Run with cmake -P; fails on any step's failure.
set(prefix ${BUILD_DIR}/tests/consumer/install)
set(consumer_build ${BUILD_DIR}/tests/consumer/build)
file(REMOVE_RECURSE ${prefix} ${consumer_build})
foreach(step
    "${CMAKE_COMMAND};--install;${BUILD_DIR};--prefix;${prefix}"
    "${CMAKE_COMMAND};-S;${SOURCE_DIR};-B;${consumer_build};-G;Ninja;-DCMAKE_PREFIX_PATH=${prefix}"
    "${CMAKE_COMMAND};--build;${consumer_build}"
    "${consumer_build}/consumer")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${step}\n${err}")
  endif()
endforeach()
