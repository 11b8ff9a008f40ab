#include "support/Arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

enum { HM_ARENA_CHUNK = 16 * 1024 };

struct HmArenaChunk {
  HmArenaChunk *next;
  size_t used, capacity;
  alignas(max_align_t) unsigned char data[];
};

static size_t align_up(size_t n) {
  size_t a = alignof(max_align_t);
  return (n + a - 1) / a * a;
}

void *hm_arena_alloc(HmArena *arena, size_t size) {
  size = align_up(size ? size : 1);
  HmArenaChunk *chunk = arena->head;
  if (!chunk || chunk->capacity - chunk->used < size) {
    size_t capacity = size > HM_ARENA_CHUNK ? size : HM_ARENA_CHUNK;
    chunk = malloc(sizeof(HmArenaChunk) + capacity);
    if (!chunk)
      return NULL;
    chunk->next = arena->head;
    chunk->used = 0;
    chunk->capacity = capacity;
    arena->head = chunk;
  }
  void *p = chunk->data + chunk->used;
  chunk->used += size;
  memset(p, 0, size);
  return p;
}

char *hm_arena_strdup(HmArena *arena, const char *text) {
  size_t n = strlen(text) + 1;
  char *copy = hm_arena_alloc(arena, n);
  if (copy)
    memcpy(copy, text, n);
  return copy;
}

void hm_arena_destroy(HmArena *arena) {
  while (arena->head) {
    HmArenaChunk *next = arena->head->next;
    free(arena->head);
    arena->head = next;
  }
}
