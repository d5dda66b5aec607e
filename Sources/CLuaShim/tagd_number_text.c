/*
** tagd: numbers as Lua 5.4 writes them ("%.14g" for a float, with ".0" when
** the text looks like an integer; decimal for an integer), and the
** sandbox's `tostring`, which uses them.
**
** glibc's "%g" runs multi-precision arithmetic: about 4,000 instructions
** per price a tag turns into text, 3 % of a benchmark hit. Most floats a
** tag prints are short decimals (19.99), which are written directly when
** the text is provably the same; everything else goes through snprintf.
*/

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "tagd_internal.h"

/* Decimal digits of u, written backwards ending at `end`; returns the start. */
static char *write_digits(uint64_t u, char *end) {
    do {
        *--end = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    return end;
}

size_t tagd_format_integer(lua_Integer v, char *buf) {
    char tmp[24];
    char *end = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;  /* no overflow at LLONG_MIN */
    char *p = write_digits(u, end);
    if (v < 0) *--p = '-';
    size_t n = (size_t)(end - p);
    memcpy(buf, p, n);
    return n;
}

/* Writes Lua's text of the float v into buf (at least 40 bytes) when v is
 * some decimal D of at most 14 significant digits, read back exactly
 * (r / 10^k == v, both exact doubles, so the division rounds D itself).
 * Then "%.14g" prints D: a double is within half an ulp (< 1.2e-16
 * relative) of D, and 14-digit decimals are at least 1e-14 relative apart,
 * so D is the 14-digit decimal nearest to v, with no tie. 1e-4 <= |v| <
 * 1e13 keeps "%g" in fixed notation. Returns 0 when it cannot tell. */
static size_t float_text(double v, char *buf) {
    static const double powers[] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17
    };
    double a = fabs(v);
    if (!(a >= 1e-4 && a < 1e13)) return 0;  /* also NaN and infinities */
    for (int k = 0; k < (int)(sizeof powers / sizeof powers[0]); k++) {
        double r = nearbyint(a * powers[k]);
        if (r >= 1e14) return 0;  /* more than 14 significant digits */
        if (r / powers[k] != a) continue;
        uint64_t u = (uint64_t)r;
        while (k > 0 && u % 10 == 0) {  /* "%g" drops trailing zeros */
            u /= 10;
            k--;
        }
        char tmp[40];
        char *end = tmp + sizeof tmp;
        char *p = end;
        if (k == 0) {
            *--p = '0';  /* Lua's ".0" for integral text */
            *--p = '.';
            p = write_digits(u, p);
        } else {
            for (int i = 0; i < k; i++) {
                *--p = (char)('0' + u % 10);
                u /= 10;
            }
            *--p = '.';
            p = write_digits(u, p);
        }
        if (v < 0) *--p = '-';
        size_t n = (size_t)(end - p);
        memcpy(buf, p, n);
        return n;
    }
    return 0;
}

size_t tagd_format_number(double value, char *buffer, size_t size) {
    if (size > 40) {
        size_t n = float_text(value, buffer);
        if (n > 0) {
            buffer[n] = '\0';
            return n;
        }
    }
    int n = snprintf(buffer, size, "%.14g", value);
    if (n < 0 || (size_t)n >= size) return 0;
    /* Lua writes integral floats as "1.0": keep that so keys round-trip. */
    if (buffer[strspn(buffer, "-0123456789")] == '\0' && (size_t)n + 2 < size) {
        buffer[n++] = '.';
        buffer[n++] = '0';
        buffer[n] = '\0';
    }
    return (size_t)n;
}

int tagd_tostring(lua_State *L) {
    luaL_checkany(L, 1);
    if (lua_type(L, 1) == LUA_TNUMBER) {
        if (lua_getmetatable(L, 1)) {
            lua_pop(L, 1);  /* numbers with a metatable (never in the sandbox): Lua's own path */
        } else {
            char buf[48];
            size_t n = lua_isinteger(L, 1) ? tagd_format_integer(lua_tointegerx(L, 1, NULL), buf)
                                           : tagd_format_number((double)lua_tonumberx(L, 1, NULL), buf, sizeof buf);
            if (n > 0) {
                lua_pushlstring(L, buf, n);
                return 1;
            }
        }
    }
    luaL_tolstring(L, 1, NULL);
    return 1;
}
