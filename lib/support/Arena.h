/* A bump allocator: everything allocated from an arena is freed with it, at once. The spec reader
 * uses one so that a parsed spec has a single owner. */
#ifndef HELION_MLIR_ARENA_H
#define HELION_MLIR_ARENA_H

#include <stddef.h>

typedef struct HmArenaChunk HmArenaChunk;
typedef struct HmArena {
  HmArenaChunk *head;
} HmArena;

/* Zero-filled memory; NULL only when the system is out of memory. */
void *hm_arena_alloc(HmArena *arena, size_t size);
#define hm_arena_new(arena, type, count) ((type *)hm_arena_alloc((arena), sizeof(type) * (count)))
char *hm_arena_strdup(HmArena *arena, const char *text);
void hm_arena_destroy(HmArena *arena);

#endif
