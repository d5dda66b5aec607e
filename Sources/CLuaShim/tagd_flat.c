/*
 * Flat values: a Lua value written in C as an array of nodes in document
 * order and one buffer of string bytes, which the host adopts in a single
 * pass (tagd_read_flat). The tape (tagd_results.c) hands the host every
 * string and key one by one; this form costs the host one copy of the bytes
 * and one step per node, for the usual value a tag passes to a native
 * function: tables of strings, numbers and booleans with string keys.
 *
 * Anything else (a string or key that is not valid UTF-8, a key that is
 * not an ASCII string, a function, a cycle, nesting beyond the limit, more
 * memory than the cap allows) is declined: the host then reads the value
 * through the tape, which converts or reports it. Non-raising, with the
 * same raw-only Lua calls as the tape writer; no metamethod ever runs.
 */
#include <stdlib.h>
#include <string.h>

#include "tagd_internal.h"

typedef struct fl_writer {
    tagd_vm *vm;
    lua_State *L;
    int max_depth;
    unsigned char null_kind;  /* the kind json.null is written as */
} fl_writer;

/* Grows a VM buffer so that `more` items of `size` bytes fit; the growth is
 * charged to the VM's memory cap. */
static int fl_grow(tagd_vm *vm, void **buffer, size_t *capacity, size_t used, size_t more, size_t size) {
    size_t need = used + more;
    if (need < more || need > SIZE_MAX / size / 2) return 0;
    if (*capacity >= need) return 1;
    size_t cap = *capacity > 0 ? *capacity : 64;
    while (cap < need) cap *= 2;
    size_t grow = (cap - *capacity) * size;
    if (grow > vm->limits.memory || vm->mem_used + grow > vm->limits.memory) return 0;
    void *p = realloc(*buffer, cap * size);
    if (p == NULL) return 0;
    *buffer = p;
    *capacity = cap;
    vm->mem_used += grow;
    return 1;
}

/* Appends a node; returns its index, or -1 when it does not fit. */
static inline long fl_node(tagd_vm *vm, unsigned char kind, uint64_t payload, uint32_t count) {
    if (l_unlikely(vm->fl_count == vm->fl_cap) &&
        !fl_grow(vm, (void **)&vm->fl_nodes, &vm->fl_cap, vm->fl_count, 1, sizeof(tagd_flat_node)))
        return -1;
    tagd_flat_node *node = &vm->fl_nodes[vm->fl_count];
    node->payload = payload;
    node->count = count;
    node->end = (uint32_t)(vm->fl_count + 1);
    node->kind = kind;
    node->ascii = 0;
    return (long)vm->fl_count++;
}

/* A string node over a copy of the bytes of the string at idx (the caller
 * has checked its type); 0 when they are not valid UTF-8 (or, for a key,
 * not ASCII) or do not fit. The copy also finds whether the bytes are
 * ASCII, eight at a time. */
static inline __attribute__((always_inline)) int fl_string(fl_writer *w, int idx, int key) {
    tagd_vm *vm = w->vm;
    size_t got;
    const char *s = lua_tolstring(w->L, idx, &got);
    const size_t len = got;  /* a local the copy loop keeps in a register */
    if (s == NULL || len > UINT32_MAX) return 0;
    if (l_unlikely(vm->fl_cap_bytes - vm->fl_byte_count < len) &&
        !fl_grow(vm, (void **)&vm->fl_bytes, &vm->fl_cap_bytes, vm->fl_byte_count, len, 1))
        return 0;
    unsigned char *dst = vm->fl_bytes + vm->fl_byte_count;
    uint64_t high = 0;
    if (len >= 8) {
        size_t i = 0;
        for (; i + 8 <= len; i += 8) {
            uint64_t word;
            memcpy(&word, s + i, 8);
            memcpy(dst + i, &word, 8);
            high |= word;
        }
        if (i < len) {  /* the last word, overlapping the one before: no byte loop */
            uint64_t word;
            memcpy(&word, s + len - 8, 8);
            memcpy(dst + len - 8, &word, 8);
            high |= word;
        }
    } else if (len >= 4) {  /* keys mostly: two overlapping halves */
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + len - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + len - 4, &b, 4);
        high = a | b;
    } else {
        for (size_t i = 0; i < len; i++) {
            dst[i] = (unsigned char)s[i];
            high |= (unsigned char)s[i];
        }
    }
    int ascii = (high & 0x8080808080808080ULL) == 0;
    if (!ascii && (key || !tagd_utf8_valid(dst, len))) return 0;
    long node = fl_node(vm, TAGD_FLAT_STRING, vm->fl_byte_count, (uint32_t)len);
    if (node < 0) return 0;
    vm->fl_nodes[node].ascii = (uint8_t)ascii;
    vm->fl_byte_count += len;
    return 1;
}

static int fl_value_typed(fl_writer *w, int idx, int type, int depth, const tagd_path *path);

/* The value at idx: strings, most values of a tag's table, without a call. */
static inline __attribute__((always_inline)) int fl_value(fl_writer *w, int idx, int depth, const tagd_path *path) {
    int type = lua_type(w->L, idx);
    if (type == LUA_TSTRING) return fl_string(w, idx, 0);
    return fl_value_typed(w, idx, type, depth, path);
}

/* The entries of a table whose first key (a string, on the stack with its
 * value) lua_next has given: every key must be an ASCII string. */
static int fl_entries(fl_writer *w, int t, int depth, const tagd_path *frame) {
    lua_State *L = w->L;
    tagd_vm *vm = w->vm;
    long node = fl_node(vm, TAGD_FLAT_TABLE, 0, 0);
    if (node < 0) return 0;
    uint32_t count = 0;
    do {
        if (lua_type(L, -2) != LUA_TSTRING || !fl_string(w, -2, 1) || !fl_value(w, -1, depth, frame) ||
            count == UINT32_MAX)
            return 0;
        lua_settop(L, -2);  /* pop the value, keep the key for lua_next */
        count++;
    } while (lua_next(L, t) != 0);
    vm->fl_nodes[node].count = count;
    vm->fl_nodes[node].end = (uint32_t)vm->fl_count;
    return 1;
}

/* The items of a table whose first key (an integer, on the stack with its
 * value) lua_next has given. As the tape writer: a non-empty sequence 1..n
 * is an array; anything else with an integer key is declined (the table
 * form takes string keys only). */
static int fl_items(fl_writer *w, int t, int depth, const tagd_path *frame) {
    lua_State *L = w->L;
    tagd_vm *vm = w->vm;
    lua_Unsigned length = lua_rawlen(L, t);
    if (length == 0 || length > UINT32_MAX) return 0;
    long node = fl_node(vm, TAGD_FLAT_ARRAY, 0, (uint32_t)length);
    if (node < 0) return 0;
    /* One traversal writes each value as it comes while the keys come
     * 1, 2, ... n (a sequence in the array part does). Keys out of that
     * order (some in the hash part) keep what was written: once the full
     * check proves the keys are 1..n, the rest is read by index. Nothing
     * is written twice, so nesting costs no more than its size. */
    lua_Unsigned expected = 1;
    int in_order = 1;
    do {
        if (expected > length || !lua_isinteger(L, -2) ||
            lua_tointegerx(L, -2, NULL) != (lua_Integer)expected) {
            lua_settop(L, -3);
            in_order = 0;
            break;
        }
        if (!fl_value(w, -1, depth, frame)) return 0;
        lua_settop(L, -2);
        expected++;
    } while (lua_next(L, t) != 0);
    if (in_order) {
        if (expected != length + 1) return 0;  /* a hole: not a sequence */
    } else {
        if (tagd_sequence_length(L, t) != length) return 0;
        for (lua_Unsigned i = expected; i <= length; i++) {
            lua_rawgeti(L, t, (lua_Integer)i);
            if (!fl_value(w, -1, depth, frame)) return 0;
            lua_settop(L, -2);
        }
    }
    vm->fl_nodes[node].end = (uint32_t)vm->fl_count;
    return 1;
}

/* A table: the first key lua_next gives says which form it can take, so a
 * table of string keys costs no length query. An empty table is the empty
 * table form, as its border 0 made it; a first key that is neither a
 * string nor a number is declined by both forms. */
static int fl_table(fl_writer *w, int t, int depth, const tagd_path *path) {
    lua_State *L = w->L;
    if (depth > w->max_depth || !lua_checkstack(L, 4)) return 0;
    const void *self = lua_topointer(L, t);
    if (self == NULL) return 0;
    if (tagd_path_holds(path, self)) return 0;  /* a cycle */
    tagd_path frame = {self, path};
    lua_pushnil(L);
    if (lua_next(L, t) == 0) {
        tagd_vm *vm = w->vm;
        long node = fl_node(vm, TAGD_FLAT_TABLE, 0, 0);
        return node >= 0;
    }
    switch (lua_type(L, -2)) {
        case LUA_TSTRING: return fl_entries(w, t, depth, &frame);
        case LUA_TNUMBER: return fl_items(w, t, depth, &frame);
        default: return 0;
    }
}

static int fl_value_typed(fl_writer *w, int idx, int type, int depth, const tagd_path *path) {
    lua_State *L = w->L;
    switch (type) {
        case LUA_TNIL:
        case LUA_TNONE:
            return fl_node(w->vm, TAGD_FLAT_NIL, 0, 0) >= 0;
        case LUA_TBOOLEAN:
            return fl_node(w->vm, TAGD_FLAT_BOOL, lua_toboolean(L, idx) ? 1 : 0, 0) >= 0;
        case LUA_TNUMBER:
            if (lua_isinteger(L, idx))
                return fl_node(w->vm, TAGD_FLAT_INT, (uint64_t)lua_tointegerx(L, idx, NULL), 0) >= 0;
            {
                double v = (double)lua_tonumberx(L, idx, NULL);
                uint64_t bits;
                memcpy(&bits, &v, 8);
                return fl_node(w->vm, TAGD_FLAT_DOUBLE, bits, 0) >= 0;
            }
        case LUA_TSTRING:
            return fl_string(w, idx, 0);
        case LUA_TTABLE: {
            /* Callers leave 2 free slots (fl_table reserves 4 for its key,
             * value and these). */
            int t = lua_absindex(L, idx);
            if (tagd_table_view_target(L, t)) {  /* a shared read-only view: the table behind it */
                int ok = fl_table(w, lua_gettop(L), depth + 1, path);
                if (ok) lua_settop(L, -2);
                return ok;
            }
            return fl_table(w, t, depth + 1, path);
        }
        case LUA_TLIGHTUSERDATA:
            if (lua_touserdata(L, idx) == tagd_null_sentinel()) return fl_node(w->vm, w->null_kind, 0, 0) >= 0;
            return 0;
        default:
            return 0;  /* a function or another value only the tape reports */
    }
}

int tagd_read_flat(lua_State *L, int idx, int max_depth, int null_as_nil, tagd_flat *out) {
    tagd_vm *vm = tagd_getvm(L);
    int top = lua_gettop(L);
    idx = lua_absindex(L, idx);
    fl_writer w = {vm, L, max_depth < 0 ? 0 : (max_depth > TAGD_RT_MAX_DEPTH ? TAGD_RT_MAX_DEPTH : max_depth),
                   null_as_nil ? TAGD_FLAT_NIL : TAGD_FLAT_NULL};
    vm->fl_count = 0;
    vm->fl_byte_count = 0;
    int ok = lua_checkstack(L, 4) && fl_value(&w, idx, 0, NULL);
    lua_settop(L, top);  /* a declined walk may leave iteration keys behind */
    out->nodes = vm->fl_nodes;
    out->node_count = ok ? vm->fl_count : 0;
    out->bytes = vm->fl_bytes;
    out->byte_count = ok ? vm->fl_byte_count : 0;
    return ok ? TAGD_OK : TAGD_FLAT_DECLINED;
}

void tagd_flat_done(tagd_vm *vm) {
    vm->fl_count = 0;
    vm->fl_byte_count = 0;
    /* Large buffers go back to the system, as a large tape does. */
    if (vm->fl_cap * sizeof(tagd_flat_node) > TAGD_RT_KEEP) {
        vm->mem_used -= vm->fl_cap * sizeof(tagd_flat_node);
        free(vm->fl_nodes);
        vm->fl_nodes = NULL;
        vm->fl_cap = 0;
    }
    if (vm->fl_cap_bytes > TAGD_RT_KEEP) {
        vm->mem_used -= vm->fl_cap_bytes;
        free(vm->fl_bytes);
        vm->fl_bytes = NULL;
        vm->fl_cap_bytes = 0;
    }
}

void tagd_flat_free(tagd_vm *vm) {
    free(vm->fl_nodes);
    free(vm->fl_bytes);
    vm->fl_nodes = NULL;
    vm->fl_bytes = NULL;
}
