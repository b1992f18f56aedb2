# drift_crosscheck: the core against scipy on random inputs (scipy_crosscheck.py), in ctest.
add_executable(drift_crosscheck ${CMAKE_CURRENT_LIST_DIR}/crosscheck_main.cc)
target_link_libraries(drift_crosscheck PRIVATE greengate_core_drift)
add_test(NAME drift_scipy_crosscheck
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/scipy_crosscheck.py
                 $<TARGET_FILE:drift_crosscheck>)
