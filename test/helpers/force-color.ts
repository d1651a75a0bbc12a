// Imported first by tests that check colours: Ink's colour library decides at load time, and
// a test runner's output is not a terminal.
process.env.FORCE_COLOR = '1';
