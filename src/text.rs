//! How the examples write tables: [`Table::columns`], [`Table::line`] and
//! [`row!`](crate::row) take a header and rows written as in Markdown; small maps
//! become rows of numbers, large counts get thousands separators.

use ndarray::ArrayView2;

use crate::output::Table;
use crate::plot::format_value;

impl Table {
    /// A table whose column headings are written as in Markdown, separated by `|`:
    /// `Table::columns("map | size | values")`.
    pub fn columns(header: &str) -> Table {
        Table::new(header.split('|').map(str::trim))
    }

    /// Append a row written as in Markdown, its cells separated by `|`:
    /// `table.line(&format!("{name} | {h} x {w} | {max:.3}"))`.
    ///
    /// # Panics
    /// A row with the wrong number of cells (a bug in the calling example).
    pub fn line(&mut self, row: &str) -> &mut Table {
        self.row(row.split('|').map(str::trim))
    }
}

/// A small map as text, rows separated by slashes, each value as the figures print
/// it (integers without decimals, others with two): `"1 0 -1 / 2 0 -2"`.
pub fn rows_as_text(map: ArrayView2<f32>) -> String {
    rows_with(map, format_value)
}

/// A small map as text with a fixed number of decimals: `"0.299 0.000 / ..."`.
pub fn rows_with_decimals(map: ArrayView2<f32>, decimals: usize) -> String {
    rows_with(map, |v| format!("{v:.decimals$}"))
}

fn rows_with(map: ArrayView2<f32>, write: impl Fn(f32) -> String) -> String {
    map.rows()
        .into_iter()
        .map(|row| values_with(row, &write))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Values separated by spaces, each as the figures print it: `"0 0 1 2 3"`.
pub fn values_as_text<'a>(values: impl IntoIterator<Item = &'a f32>) -> String {
    values_with(values, format_value)
}

fn values_with<'a>(
    values: impl IntoIterator<Item = &'a f32>,
    write: impl Fn(f32) -> String,
) -> String {
    values
        .into_iter()
        .map(|&v| write(v))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A count with commas between thousands: `30000000` as `"30,000,000"`.
pub fn with_thousands(value: usize) -> String {
    let digits = value.to_string();
    let mut text = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// Append a row to a table, written as in Markdown with `format!` arguments, the way
/// `writeln!` writes a line: `row!(table, "{name} | {h} x {w} | {max:.3}")`.
#[macro_export]
macro_rules! row {
    ($table:expr, $($format:tt)+) => {
        $table.line(&format!($($format)+))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn numbers_as_the_tables_write_them() {
        let map = array![[3.0, -1.0], [0.25, -0.0001]];
        assert_eq!(rows_as_text(map.view()), "3 -1 / 0.25 0.00");
        assert_eq!(rows_with_decimals(map.view(), 1), "3.0 -1.0 / 0.2 -0.0");
        assert_eq!(values_as_text(&[0.0, 1.5]), "0 1.50");
        assert_eq!(with_thousands(30_000_000), "30,000,000");
        assert_eq!(with_thousands(784), "784");
        assert_eq!(with_thousands(0), "0");
        let mut table = Table::columns("layer | `[N, C]` |size");
        let (name, size) = ("conv", 28);
        row!(table, "{name} | `[1, 2]` | {size}").line(" | | 3");
        assert_eq!(
            table.to_markdown(),
            "| layer | `[N, C]` | size |\n|---|---|---:|\n| conv | `[1, 2]` | 28 |\n|  |  | 3 |\n"
        );
    }
}
