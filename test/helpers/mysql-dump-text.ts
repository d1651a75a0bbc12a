// A small mariadb-dump-shaped dump with every construct the MySQL scanner must read right.

/** Rows per table in {@link sampleDump}. */
export const sampleRows = { plain: 3, 'we`ird (name)': 2, empty: 0, 'one line': 2 };

/** The dump text: MariaDB layout (a row per line), MySQL layout (one line), blocks, trailer. */
export const sampleDump = [
  '/*M!999999\\- enable the sandbox mode */ ',
  '-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)',
  '/*!40101 SET NAMES utf8mb4 */;',
  '',
  'DROP TABLE IF EXISTS `plain`;',
  'CREATE TABLE `plain` (',
  "  `id` int(11) NOT NULL COMMENT 'a (comment); with ''quotes''',",
  '  `b` blob',
  ') ENGINE=InnoDB;',
  'LOCK TABLES `plain` WRITE;',
  'INSERT INTO `plain` VALUES',
  "(1,'text with \\' quote, (paren) and ; semicolon',0x00FF28293B27),",
  "(2,'backslash at end \\\\',NULL),",
  "(3,'line\\nbreak \\\\\\' tricky',0x)",
  ';',
  'UNLOCK TABLES;',
  'CREATE TABLE `we``ird (name)` (',
  '  `a` int,',
  '  `b(` int',
  ');',
  'INSERT INTO `we``ird (name)` (`a`, `b(`) VALUES (1,2),\n(3,4);',
  'CREATE TABLE `empty` (',
  '  `x` int',
  ');',
  'CREATE TABLE `one line` (`x` text);',
  "INSERT INTO `one line` VALUES ('a'),('b');",
  'DELIMITER ;;',
  '/*!50003 CREATE*/ /*!50017 DEFINER=`bkc_definer`@`localhost`*/ /*!50003 TRIGGER t AFTER INSERT ON plain',
  'FOR EACH ROW BEGIN',
  'INSERT INTO `plain` VALUES (99);',
  'CREATE TABLE `not_a_table` (x int);',
  'END */;;',
  'DELIMITER ;',
  'DELIMITER ;;',
  'CREATE DEFINER=`root`@`localhost` FUNCTION `f`() RETURNS int(11)',
  'RETURN 42 ;;',
  'DELIMITER ;',
  '/*!50001 CREATE ALGORITHM=UNDEFINED */',
  '/*!50013 DEFINER=`bkc_definer`@`localhost` SQL SECURITY DEFINER */',
  '/*!50001 VIEW `v` AS select 1 AS `1` */;',
  '',
  '-- Dump completed on 2026-12-04  4:49:06',
  '',
].join('\n');

/** Splits a buffer at the given cut points. */
export function cut(buffer: Buffer, points: number[]): Buffer[] {
  const sorted = [...new Set(points)]
    .filter((p) => p > 0 && p < buffer.length)
    .sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const point of sorted) {
    parts.push(buffer.subarray(from, point));
    from = point;
  }
  parts.push(buffer.subarray(from));
  return parts;
}

/** Deterministic pseudo-random cut points (a linear congruential generator). */
export function randomCuts(length: number, count: number, seed: number): number[] {
  let state = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out.push(state % length);
  }
  return out;
}
