#ifndef CXATTR_SHIM_H
#define CXATTR_SHIM_H
/* Extended attributes (the C library's; Swift's Glibc module leaves this header out):
   FlowFormats keeps a file's attributes and ACLs across a save, and notes a recovery file's base. */
#include <sys/types.h>
#include <sys/xattr.h>
#endif
