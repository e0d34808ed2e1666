import type { KeyboardEvent, ReactNode } from 'react';
import { EmptyState } from './empty-state';
import { Loading } from './loading';
import { ErrorNotice } from './notice';

export interface Column<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
  /** Numbers align right so their digits line up. */
  align?: 'start' | 'end';
  /** Hidden on phone widths when the table would be too wide. */
  hideOnPhone?: boolean;
}

interface DataTableProps<Row> {
  /** Names the table for screen readers (and the browser test). */
  label: string;
  columns: readonly Column<Row>[];
  rows: readonly Row[] | undefined;
  rowKey: (row: Row) => string | number;
  loading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  /** Shown when loading finished with no rows. */
  empty: ReactNode;
  /** Makes rows clickable (and focusable, opened with Enter). */
  onRowClick?: (row: Row) => void;
  /** Rows under the table, e.g. a "Load more" button. */
  footer?: ReactNode;
}

/**
 * A table with the four states every list has: loading (first load only; reloads keep the old
 * rows on screen), error, empty, and rows. Wide tables scroll sideways inside their frame.
 */
export function DataTable<Row>({
  label,
  columns,
  rows,
  rowKey,
  loading = false,
  error = null,
  onRetry,
  empty,
  onRowClick,
  footer,
}: DataTableProps<Row>) {
  const hasRows = rows !== undefined && rows.length > 0;
  const columnClass = (column: Column<Row>) =>
    [column.align === 'end' ? 'align-end' : '', column.hideOnPhone ? 'hide-on-phone' : '']
      .filter(Boolean)
      .join(' ') || undefined;
  const openOnKey = (event: KeyboardEvent<HTMLTableRowElement>, row: Row) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onRowClick?.(row);
    }
  };
  return (
    <div className="table-card">
      {error ? <ErrorNotice error={error} {...(onRetry ? { onRetry } : {})} /> : null}
      {hasRows ? (
        <div className="table-scroll">
          <table className="data-table" aria-label={label}>
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column.header} scope="col" className={columnClass(column)}>
                    {column.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr
                  key={rowKey(row)}
                  className={onRowClick ? 'clickable-row' : undefined}
                  {...(onRowClick
                    ? {
                        onClick: () => onRowClick(row),
                        onKeyDown: (event: KeyboardEvent<HTMLTableRowElement>) =>
                          openOnKey(event, row),
                        tabIndex: 0,
                      }
                    : {})}
                >
                  {columns.map((column) => (
                    <td key={column.header} className={columnClass(column)}>
                      {column.cell(row)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : loading ? (
        <Loading />
      ) : error ? null : (
        empty
      )}
      {footer}
    </div>
  );
}

export { EmptyState };
