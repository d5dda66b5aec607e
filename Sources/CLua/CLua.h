#ifndef TAGD_CLUA_H
#define TAGD_CLUA_H
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>
#endif
