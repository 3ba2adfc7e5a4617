#include "CVigilSys.h"
int cvigilsys_placeholder(void) { return 0; }
