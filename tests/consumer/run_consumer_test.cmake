# Builds the consumer project against the installed package at PREFIX and runs it.
# cmake -DSOURCE_DIR=... -DBUILD_DIR=... -DPREFIX=... -P run_consumer_test.cmake
include(${CMAKE_CURRENT_LIST_DIR}/../cmake/external_project.cmake)
build_external_project(${SOURCE_DIR} ${BUILD_DIR} ${PREFIX})
run_step(${BUILD_DIR}/consumer)
