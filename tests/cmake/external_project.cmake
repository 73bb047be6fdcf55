# Helpers for cmake -P scripts that build a project outside Ember's tree against the installed
# package, the way a user or a vendor would.

# run_step(command args...): runs one command, echoes its output, stops the script on failure.
function(run_step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${err}")
  endif()
endfunction()

# build_external_project(SOURCE BUILD PREFIX [cmake arguments...]): a fresh configure and build
# of SOURCE in BUILD, finding Ember under PREFIX.
function(build_external_project source build prefix)
  file(REMOVE_RECURSE ${build})
  run_step(${CMAKE_COMMAND} -S ${source} -B ${build} -G Ninja -DCMAKE_PREFIX_PATH=${prefix} ${ARGN})
  run_step(${CMAKE_COMMAND} --build ${build})
endfunction()
