/* The system libyaml (Debian: libyaml-dev). Named CLibYAML so it never clashes with the CYaml
 * module that Yams ships. */
#include <yaml.h>
