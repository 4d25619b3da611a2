#include "tablestore/limits.h"
