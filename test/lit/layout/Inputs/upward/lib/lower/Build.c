/* A builder that reports at a node itself: check-stages must refuse it. */
#include "lower/Build.h"

bool build_something(HmLowering *L) { return hm_node_error(L, L->node, "no"); }
