/**
 * A list as every list screen shows one: the error and the loading line of the resource behind it, then, once
 * it has loaded, a message when it holds nothing or its rows as a table, and the pager under them.
 */
import type { ReactNode } from 'react';
import type { Page } from '../lib/types';
import type { Resource } from '../lib/use-resource';
import type { PagerStep } from '../lib/use-pager';
import { ResourceState } from './states';
import { DataTable, type DataTableProps } from './DataTable';

export interface ListViewProps<T> extends Omit<DataTableProps<T>, 'rows'> {
  /** The rows: all of them, or a page of them. */
  resource: Resource<T[] | Page<T>>;
  /** What the loading line says, such as "Loading applications". */
  loading: string;
  /** What shows instead of the table when there are no rows: an `<Empty>` that says why, and what to do. */
  empty: ReactNode;
  /** Shown above the rows once they have loaded, such as a summary of them. */
  lead?: ReactNode;
  /** The buttons under the rows that show another part of the list, such as a `usePager`'s steps. */
  pager?: PagerStep[];
}

export function ListView<T>({ resource, loading, empty, lead, pager = [], ...table }: ListViewProps<T>) {
  const data = resource.data;
  const items = data === undefined ? [] : Array.isArray(data) ? data : data.data;
  return (
    <>
      <ResourceState resource={resource} loading={loading} />
      {data !== undefined && (
        <>
          {lead}
          {items.length === 0 ? empty : <DataTable {...table} rows={items} />}
          {pager.length > 0 && (
            <div className="pager">
              {pager.map((step) => (
                <button key={step.label} type="button" onClick={step.go}>
                  {step.label}
                </button>
              ))}
            </div>
          )}
        </>
      )}
    </>
  );
}
