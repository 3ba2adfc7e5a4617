#ifndef CVIGILSYS_H
#define CVIGILSYS_H
int cvigilsys_placeholder(void);
#endif
