// A shared library that is not a plugin: it exports no ember_plugin_entry.
#include "test_plugin.h"

extern "C" EMBER_PLUGIN_EXPORT int some_other_symbol() { return 42; }
