package io.livemigrate.testing;

/**
 * A table named {@code everything} holding every type the copy supports, with the edge values that break naive
 * tools (extremes, NaN and infinities, NULL next to '', trailing spaces, zero dates, emoji, all byte values, values
 * over 1 MB), per engine. Shared by the embedded and the Testcontainers tests.
 */
public final class TypeSamples {

    private TypeSamples() {
    }

    public static String[] postgres() {
        return new String[] {
                    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                    "CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0)",
                    """
                    CREATE TABLE everything (
                      id bigint PRIMARY KEY, si smallint, i integer, bi bigint,
                      n numeric, n2 numeric(40,20), r real, d double precision,
                      t text, vc varchar(10), c char(5), b bytea, bool boolean,
                      dt date, tm time, ts timestamp, tstz timestamptz, iv interval, u uuid,
                      j json, jb jsonb, ia integer[], ta text[], m mood, ma mood[], ip inet, net cidr,
                      pos positive_int, big text,
                      doubled bigint GENERATED ALWAYS AS (i::bigint * 2) STORED)""",
                    """
                    INSERT INTO everything (id, si, i, bi, n, n2, r, d, t, vc, c, b, bool, dt, tm, ts, tstz, iv, u, j, jb,
                                            ia, ta, m, ma, ip, net, pos, big) VALUES
                    (1, -32768, -2147483648, -9223372036854775808, 123456789012345678901234567890.123456789,
                     -0.00000000000000000001, 'NaN', 'Infinity', 'plain', 'abc', 'ab', '\\x00ff5c0a09', true,
                     '4713-01-01 BC', '00:00:00', '-infinity', 'infinity', '-178000000 years', gen_random_uuid(),
                     '{"b": 1, "a": [1, 2.50]}', '{"b": 1, "a": [1, 2.50]}', '{1,NULL,3}', '{"a b","c,d",NULL,""}',
                     'happy', '{sad,ok}', '192.168.0.1/24', '10.0.0.0/8', 1, repeat('x', 1100000)),
                    (2, 32767, 2147483647, 9223372036854775807, 'NaN', 0, '-Infinity', '-0', '', 'é✓😀', 'a   ',
                     '', false, 'infinity', '24:00:00', '294276-12-31 23:59:59.999999', '1999-12-31 23:59:59.999999+05:30',
                     '1 day -00:00:00.000001', '00000000-0000-0000-0000-000000000000', 'null', '{}', '{}', '{}',
                     'sad', '{}', '::1', '::/0', 2147483647, ''),
                    (3, NULL, NULL, NULL, NULL, NULL, 1.17549435e-38, 2.2250738585072014e-308, NULL, NULL, NULL, NULL, NULL,
                     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                    (4, 0, 0, 0, 0.000, 1.10, 3.4028235e38, 1.7976931348623157e308, E'tab\\there\\nnewline\\\\', 'x', ' ',
                     '\\x', NULL, '2000-02-29', '23:59:59.999999', '2000-01-01 00:00:00.000001', '-infinity', '0',
                     'ffffffff-ffff-ffff-ffff-ffffffffffff', '[1, "two", null]', '[1, "two", null]', '{{1,2},{3,4}}',
                     '{NULL}', 'ok', '{happy,NULL}', '0.0.0.0', '192.168.0.0/16', 5, repeat('é', 600000))"""};
    }

    public static String[] mysql() {
        return new String[] {
                    "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'",
                    """
                    CREATE TABLE everything (
                      id int PRIMARY KEY,
                      ti tinyint, tiu tinyint unsigned, si smallint, siu smallint unsigned, mi mediumint,
                      miu mediumint unsigned, i int, iu int unsigned, bi bigint, biu bigint unsigned,
                      dec65 decimal(65,30), f float, d double,
                      c char(10) CHARACTER SET utf8mb4, vc varchar(100) CHARACTER SET utf8mb4, tx text CHARACTER SET utf8mb4,
                      l1 varchar(50) CHARACTER SET latin1, bin binary(4), vb varbinary(300), bl longblob,
                      dt date, dtm datetime(6), ts timestamp(6) NULL DEFAULT NULL, tm time(6), yr year,
                      e enum('small','medium','large'), st set('a','b','c'), b1 bit(1), b64 bit(64), js json,
                      gen_virtual int AS (i + 1) VIRTUAL, gen_stored varchar(120) AS (concat(vc, '!')) STORED
                    ) DEFAULT CHARSET=utf8mb4""",
                    """
                    INSERT INTO everything (id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, dec65, f, d, c, vc, tx, l1, bin, vb,
                                            bl, dt, dtm, ts, tm, yr, e, st, b1, b64, js) VALUES
                    (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808,
                     18446744073709551615, 12345678901234567890123456789012345.123456789012345678901234567890,
                     0.1, 0.1, 'ab', 'é✓😀 emoji', REPEAT('x', 70000), 'café', X'00090A5C', X'000102FF', REPEAT(X'00FF5C0A09', 250000),
                     '0000-00-00', '0000-00-00 00:00:00.000000', '1970-01-01 00:00:01.000001', '-838:59:59.000000', 1901,
                     'large', 'a,c', b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
                     '{"b": 1, "a": [1, 2.50, "x"]}'),
                    (2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0,
                     -0.000000000000000000000000000001, -3.4028235e38, -1.7976931348623157e308, '', '', '', '', X'00000000',
                     X'', X'', '9999-12-31', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '838:59:59.999999', 2155,
                     'small', '', b'0', b'0', '[]'),
                    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                    (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.17549435e-38, 2.2250738585072014e-308, 'a  ', 'trailing  ',
                     'tab\\there\\nnewline\\\\', '\\\\N', X'5C4E0000', X'5C4E', X'0D0A', '2000-02-29', '2000-01-01 00:00:00.000001',
                     NULL, '00:00:00.000001', 0, 'medium', 'a,b,c', b'1', b'1000000000000000000000000000000000000000000000000000000000000001',
                     'null')"""};
    }
}
