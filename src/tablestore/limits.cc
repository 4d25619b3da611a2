#include "tsbridge/tablestore/limits.h"
