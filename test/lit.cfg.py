# The lit suite: test/lit/<area>/*.{mlir,test}, run through the lit.site.cfg.py of a build directory.
import os

import lit.formats

config.name = "helion-mlir"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.join(config.helion_src_root, "test", "lit")
# Files under an Inputs/ directory are data for the tests beside it, not tests.
config.excludes = ["Inputs"]

tools = config.helion_tools_dir
# Longer names first: a substitution also replaces the prefix of a longer one.
config.substitutions += [
    ("%helion-mlir-unittests", os.path.join(tools, "helion-mlir-unittests")),
    ("%helion-mlir-fuzz-replay", os.path.join(tools, "helion-mlir-fuzz-replay")),
    ("%helion-opt", os.path.join(tools, "helion-opt")),
    ("%helion-mlir", os.path.join(tools, "helion-mlir")),
    ("%mlir-opt", config.mlir_opt),
    ("%fixtures", os.path.join(config.helion_src_root, "test", "fixtures")),
    ("%repo", config.helion_src_root),
    ("%dialects", os.path.join(config.helion_src_root, "dialects")),
    ("%python", config.python),
]
# Tests of what the JIT's pipeline does on an AVX-512 host alone (lib/run/VectorWidth.c).
def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


if "avx512f" in _cpu_flags():
    config.available_features.add("host-avx512")

# LLVM's test tools (FileCheck, not, count) by plain name, and ours ahead of anything installed.
llvm_bin = os.path.dirname(config.filecheck)
config.environment["PATH"] = os.pathsep.join([tools, llvm_bin, config.environment["PATH"]])
# As commands only: the names are left alone inside a path, a longer name or an option value.
def command(name):
    return rf"(?<![-\w/.=]){name}(?![-\w/.])"


config.substitutions += [
    (command("FileCheck"), config.filecheck),
    (command("not"), config.not_tool),
]

# Under the sanitized build a leak or undefined behaviour must fail the test that caused it. The
# sanitizers abort rather than exit(1), so that `not` sees a crash instead of an expected failure.
if config.helion_sanitized:
    def sanitizer_options(name, ours):
        inherited = os.environ.get(name)
        return f"{inherited}:{ours}" if inherited else ours

    config.environment["ASAN_OPTIONS"] = sanitizer_options(
        "ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    config.environment["UBSAN_OPTIONS"] = sanitizer_options(
        "UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:abort_on_error=1")
