/// Whole numbers at and past the edges of `Int`, as a hostile file writes them: every parser that
/// reads a number is tried with each (the smallest and largest `Int`, −1, 0, one past the largest,
/// and a number of 20 digits).
package let extremeIntegers = [
    "-9223372036854775808", "9223372036854775807", "-1", "0", "9223372036854775808", "99999999999999999999",
]
