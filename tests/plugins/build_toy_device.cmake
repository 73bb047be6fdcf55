# Builds the toy device (plugins_sdk/examples/toy_device) as its vendor would: out of tree,
# against the installed SDK at PREFIX, with clang++ and libc++ while Ember itself is built with
# g++ and libstdc++, as the plugins `toy` and `toy2`. Says "SKIP:" without clang++ and libc++.
# cmake -DSOURCE_DIR=... -DBUILD_DIR=... -DPREFIX=... -P build_toy_device.cmake
include(${CMAKE_CURRENT_LIST_DIR}/../cmake/external_project.cmake)

find_program(clangxx NAMES clang++ clang++-16 clang++-15 clang++-14)
if(NOT clangxx)
  message("SKIP: no clang++ to build the toy device with")
  return()
endif()
execute_process(COMMAND ${clangxx} -stdlib=libc++ -x c++ -include vector -fsyntax-only /dev/null
  RESULT_VARIABLE has_libcxx OUTPUT_QUIET ERROR_QUIET)
if(NOT has_libcxx EQUAL 0)
  message("SKIP: ${clangxx} finds no libc++ headers (Debian: libc++-dev libc++abi-dev)")
  return()
endif()

build_external_project(${SOURCE_DIR} ${BUILD_DIR} ${PREFIX}
  -DCMAKE_CXX_COMPILER=${clangxx} -DCMAKE_CXX_FLAGS=-stdlib=libc++ -DTOY_DEVICE_NAMES=toy,toy2)

# The plugins really use libc++, not the host's libstdc++.
foreach(name toy toy2)
  execute_process(COMMAND readelf -d ${BUILD_DIR}/libember_backend_${name}.so OUTPUT_VARIABLE dynamic)
  if(NOT dynamic MATCHES "libc\\+\\+\\.so" OR dynamic MATCHES "libstdc\\+\\+")
    message(FATAL_ERROR "libember_backend_${name}.so should need libc++ and not libstdc++:\n${dynamic}")
  endif()
endforeach()
# The vendor's own tests: Ember's conformance suite, from the installed package, on each plugin.
run_step(${CMAKE_CTEST_COMMAND} --test-dir ${BUILD_DIR} --output-on-failure)
message("toy device built with ${clangxx} and libc++, and passes ember-plugin-check")
