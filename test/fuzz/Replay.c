/* Runs the fuzz target over files, as libFuzzer would run one input, without libFuzzer: the normal
 * builds (the sanitized one in `make test`) replay the kept regression inputs through it.
 *
 *   helion-mlir-fuzz-replay FILE...
 *
 * Exit 0 when every input went through; a sanitizer report or the target's own check aborts. */
#include <stdio.h>
#include <stdlib.h>

#include "common/ToolIO.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE...\n", argv[0]);
    return 1;
  }
  for (int i = 1; i < argc; ++i) {
    FILE *f = fopen(argv[i], "rb");
    HmBuffer text = {0};
    if (!f || !hm_tool_read_stream(f, &text)) {
      fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[i]);
      if (f)
        fclose(f);
      return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput((const unsigned char *)(text.data ? text.data : ""), text.len);
    hm_buffer_free(&text);
  }
  printf("replayed %d inputs\n", argc - 1);
  return 0;
}
