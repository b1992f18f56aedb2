# drift_crosscheck: the core against scipy on random inputs (scipy_crosscheck.py), in ctest.
add_executable(drift_crosscheck ${CMAKE_CURRENT_LIST_DIR}/crosscheck_main.cc)
target_link_libraries(drift_crosscheck PRIVATE greengate_core_drift)
add_test(NAME drift_scipy_crosscheck
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/scipy_crosscheck.py
                 $<TARGET_FILE:drift_crosscheck>)

# drift_grid_crosscheck: the tests on profiles (the reference's fine grid) against scipy on
# all the rows (grid_crosscheck.py), with the error bounds docs/drift.md states.
add_executable(drift_grid_crosscheck ${CMAKE_CURRENT_LIST_DIR}/grid_crosscheck_main.cc)
target_link_libraries(drift_grid_crosscheck PRIVATE greengate_core_drift)
add_test(NAME drift_grid_scipy_crosscheck
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/grid_crosscheck.py
                 $<TARGET_FILE:drift_grid_crosscheck>)
