// The shim is header-only (static inline wrappers of the curses macros); SwiftPM needs one source file.
#include "CNcursesw.h"
