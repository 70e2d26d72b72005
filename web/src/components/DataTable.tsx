/**
 * A table of rows, one column per field, as every list in the dashboard draws it: a caption for screen
 * readers, a header row, and under a row, when it is opened, a detail row as wide as the table.
 *
 * On a phone a table scrolls sideways inside its frame. A table with columns marked `phone: 'collapse'` fits
 * the screen instead: those columns collapse to nothing (collapsed rather than removed, so a detail row still
 * spans every column), and a cell beside them repeats what they hold in a `phone-inline` span, which shows
 * only on a phone.
 */
import { Fragment, type ReactNode } from 'react';

export interface Column<T> {
  /** What the header cell says; a column of buttons says it only to screen readers. */
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** The class of the column's cells, such as `url-cell` for a URL or an id that must stay readable. */
  className?: string;
  /** The class of its header cell, such as a width for the phone layout. */
  headerClassName?: string;
  /** A cell's tooltip, such as the exact time behind "3 min ago". */
  title?: (row: T) => string;
  /** `collapse`: on a phone the column collapses and the table fits the screen (see above). */
  phone?: 'collapse';
}

export interface DataTableProps<T> {
  /** Names the table for screen readers; it is not shown. */
  caption: string;
  columns: Array<Column<T>>;
  rows: T[];
  rowKey: (row: T) => string;
  className?: string;
  rowClassName?: (row: T) => string | undefined;
  /** What an opened row shows under it; null (or false) while it is closed. */
  detail?: (row: T) => ReactNode;
  /** A line under the table, inside its frame, such as how much of a longer list it shows. */
  footnote?: ReactNode;
}

const classes = (...names: Array<string | false | undefined>) => names.filter(Boolean).join(' ') || undefined;

export function DataTable<T>(props: DataTableProps<T>) {
  const { caption, columns, rows, rowKey, rowClassName, detail, footnote } = props;
  const collapse = (column: Column<T>) => column.phone === 'collapse' && 'phone-collapse';
  const fitsPhone = columns.some((column) => column.phone === 'collapse');
  return (
    <div className="table-wrap">
      <table className={classes(props.className, fitsPhone && 'phone-fit')}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column, i) => (
              <th key={i} scope="col" className={classes(column.headerClassName, collapse(column))}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const opened = detail?.(row);
            return (
              <Fragment key={rowKey(row)}>
                <tr className={rowClassName?.(row)}>
                  {columns.map((column, i) => (
                    <td
                      key={i}
                      className={classes(column.className, collapse(column))}
                      title={column.title?.(row)}
                    >
                      {column.cell(row)}
                    </td>
                  ))}
                </tr>
                {opened !== null && opened !== undefined && opened !== false && (
                  <tr className="detail-row">
                    <td colSpan={columns.length}>{opened}</td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {footnote}
    </div>
  );
}
