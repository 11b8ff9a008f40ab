#include "UnitTest.h"
#include "helion-mlir/support/Diag.h"

static void starts_clean(void) {
  HmDiag diag = {0};
  UT_CHECK(!hm_diag_failed(&diag));
  UT_CHECK(!hm_diag_failed(NULL));
}

static void records_formatted_message(void) {
  HmDiag diag = {0};
  UT_CHECK(!hm_diag_error(&diag, "%s[%d]: bad", "$.graphs", 3));
  UT_CHECK(hm_diag_failed(&diag));
  UT_CHECK_STR(diag.message, "$.graphs[3]: bad");
  hm_diag_clear(&diag);
}

static void first_error_wins(void) {
  HmDiag diag = {0};
  hm_diag_error(&diag, "first");
  hm_diag_error(&diag, "second");
  UT_CHECK_STR(diag.message, "first");
  hm_diag_clear(&diag);
}

static void clear_allows_a_new_error(void) {
  HmDiag diag = {0};
  hm_diag_error(&diag, "first");
  hm_diag_clear(&diag);
  UT_CHECK(!hm_diag_failed(&diag));
  UT_CHECK(diag.message == NULL);
  hm_diag_error(&diag, "second");
  UT_CHECK_STR(diag.message, "second");
  hm_diag_clear(&diag);
}

static void null_diag_is_ignored(void) { UT_CHECK(!hm_diag_error(NULL, "lost")); }

static void empty_message_still_fails(void) {
  HmDiag diag = {0};
  hm_diag_error(&diag, "%s", "");
  UT_CHECK(hm_diag_failed(&diag));
  UT_CHECK_STR(diag.message, "");
  hm_diag_clear(&diag);
}

/* A name echoed into a message cannot start a second line that reads like another error. */
static void control_characters_are_escaped(void) {
  HmDiag diag = {0};
  hm_diag_error(&diag, "unknown node '%s'", "x\nhelion-mlir: error: forged\r\t\x01\x7f");
  UT_CHECK_STR(diag.message, "unknown node 'x\\nhelion-mlir: error: forged\\r\\t\\x01\\x7f'");
  hm_diag_clear(&diag);
  hm_diag_error(&diag, "%s", "caf\xc3\xa9 \x1b[31m"); /* UTF-8 stays as it is */
  UT_CHECK_STR(diag.message, "caf\xc3\xa9 \\x1b[31m");
  hm_diag_clear(&diag);
}

static const UtCase kCases[] = {
    {"starts_clean", starts_clean},
    {"records_formatted_message", records_formatted_message},
    {"first_error_wins", first_error_wins},
    {"clear_allows_a_new_error", clear_allows_a_new_error},
    {"null_diag_is_ignored", null_diag_is_ignored},
    {"empty_message_still_fails", empty_message_still_fails},
    {"control_characters_are_escaped", control_characters_are_escaped},
};
UT_SUITE(diag_tests, kCases);
