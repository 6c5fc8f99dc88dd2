/* Unit tests of core/arena: many and big allocations, alignment, strings. */
#include "support.h"

#include "core/arena.h"

#include <stdint.h>
#include <string.h>

static void many_allocations_are_distinct_and_zeroed(void **state)
{
	enum { N = 5000 };
	static unsigned char *p[N];
	struct fz_arena a;

	fz_arena_init(&a);
	for (int i = 0; i < N; i++) {
		size_t size = (size_t)(i % 97) + 1;
		p[i] = fz_arena_alloc(&a, size);
		assert_non_null(p[i]);
		for (size_t k = 0; k < size; k++)
			assert_int_equal(p[i][k], 0);
		memset(p[i], i & 0xff, size);
	}
	/* nothing overlapped: every block still holds its own byte */
	for (int i = 0; i < N; i++) {
		size_t size = (size_t)(i % 97) + 1;
		for (size_t k = 0; k < size; k++)
			assert_int_equal(p[i][k], i & 0xff);
	}
	fz_arena_release(&a);
	assert_null(a.head);
}

static void allocations_are_16_byte_aligned(void **state)
{
	struct fz_arena a;

	fz_arena_init(&a);
	for (size_t size = 1; size < 300; size += 7) {
		void *p = fz_arena_alloc(&a, size);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
	}
	assert_int_equal((uintptr_t)fz_arena_alloc(&a, 100000) % 16, 0);
	assert_int_equal((uintptr_t)fz_arena_alloc(&a, 3) % 16, 0);
	fz_arena_release(&a);
}

static void big_allocation_is_usable_whole(void **state)
{
	struct fz_arena a;
	unsigned char *small, *big, *after;
	size_t n = 1u << 20;

	fz_arena_init(&a);
	small = fz_arena_alloc(&a, 10);
	memset(small, 0xAA, 10);
	big = fz_arena_alloc(&a, n);
	assert_non_null(big);
	for (size_t i = 0; i < n; i += 4096)
		assert_int_equal(big[i], 0);
	assert_int_equal(big[n - 1], 0);
	memset(big, 0x55, n);
	after = fz_arena_alloc(&a, 64);
	assert_non_null(after);
	memset(after, 0x11, 64);
	/* earlier allocations survive a big one in between */
	for (int i = 0; i < 10; i++)
		assert_int_equal(small[i], 0xAA);
	assert_int_equal(big[0], 0x55);
	assert_int_equal(big[n - 1], 0x55);
	fz_arena_release(&a);
}

static void absurd_size_returns_null(void **state)
{
	struct fz_arena a;

	fz_arena_init(&a);
	assert_null(fz_arena_alloc(&a, (size_t)-1));
	assert_null(fz_arena_alloc(&a, (size_t)-1 / 2 + 1));
	assert_non_null(fz_arena_alloc(&a, 1));
	fz_arena_release(&a);
}

static void strings_are_copied(void **state)
{
	struct fz_arena a;
	char src[] = "婺城区 330702";
	char *s, *n, *f;

	fz_arena_init(&a);
	s = fz_arena_strdup(&a, src);
	n = fz_arena_strndup(&a, "abcdef", 3);
	f = fz_arena_printf(&a, "%s-%04d", "unit", 7);
	src[0] = 'X';
	assert_string_equal(s, "婺城区 330702");
	assert_string_equal(n, "abc");
	assert_string_equal(f, "unit-0007");
	/* a long printf crosses the block size */
	f = fz_arena_printf(&a, "%9000d|", 1);
	assert_int_equal(strlen(f), 9001);
	assert_int_equal(f[9000], '|');
	fz_arena_release(&a);
}

static void release_makes_arena_reusable(void **state)
{
	struct fz_arena a;

	fz_arena_init(&a);
	fz_arena_release(&a); /* releasing an empty arena is fine */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 1000; i++)
			assert_non_null(fz_arena_alloc(&a, 100));
		fz_arena_release(&a);
		assert_null(a.head);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(many_allocations_are_distinct_and_zeroed),
		cmocka_unit_test(allocations_are_16_byte_aligned),
		cmocka_unit_test(big_allocation_is_usable_whole),
		cmocka_unit_test(absurd_size_returns_null),
		cmocka_unit_test(strings_are_copied),
		cmocka_unit_test(release_makes_arena_reusable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
