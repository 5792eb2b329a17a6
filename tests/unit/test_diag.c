/* test_diag.c — mmamp_diag rendering: location, value, rule and bound, and truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mmamp/diag.h"
#include "mmamp/errno.h"

static void formats_location_value_rule_and_limit(void **state)
{
	struct mmamp_diag d;
	char buf[128];
	size_t n;
	int ret;

	(void)state;
	ret = mmamp_diag_set_limit(&d, MMAMP_ENOEXEC, "program header", 2, "p_filesz", 0x2000,
				   "exceeds p_memsz", 0x1000);
	assert_int_equal(ret, -MMAMP_ENOEXEC);
	n = mmamp_diag_format(&d, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "program header 2: p_filesz 0x2000 exceeds p_memsz (limit 0x1000)");

	mmamp_diag_set(&d, MMAMP_ENOEXEC, "ELF header", MMAMP_DIAG_NO_INDEX, "e_phnum", 0, "is zero");
	mmamp_diag_format(&d, buf, sizeof(buf));
	assert_string_equal(buf, "ELF header: e_phnum 0 is zero");
}

static void truncates_but_reports_full_length(void **state)
{
	struct mmamp_diag d;
	char buf[8];
	size_t n;

	(void)state;
	mmamp_diag_set(&d, MMAMP_EIO, "vring", 0, "used.idx", 300, "is ahead of avail");
	n = mmamp_diag_format(&d, buf, sizeof(buf));
	assert_true(n > sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf, "vring 0", 7);
}

static void null_diag_is_allowed(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(mmamp_diag_set(NULL, MMAMP_EINVAL, "x", 0, "y", 1, "z"), -MMAMP_EINVAL);
	mmamp_diag_format(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "no diagnostic recorded");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(formats_location_value_rule_and_limit),
		cmocka_unit_test(truncates_but_reports_full_length),
		cmocka_unit_test(null_diag_is_allowed),
	};
	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
