/* A spec reader that reaches up into the lowering: check-stages must refuse it. */
#include "lower/Lowering.h"
#include "support/Arena.h"
