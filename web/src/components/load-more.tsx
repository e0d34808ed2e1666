interface LoadMoreProps {
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  /** How many rows are shown so far. */
  shown: number;
}

/** The foot of a cursor-paged list: how many are shown, and a button for the next page. */
export function LoadMore({ hasMore, loading, onLoadMore, shown }: LoadMoreProps) {
  if (shown === 0) return null;
  return (
    <div className="load-more">
      <span className="muted">
        {shown} shown{hasMore ? '' : ' · that is all'}
      </span>
      {hasMore ? (
        <button type="button" className="button" onClick={onLoadMore} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </div>
  );
}
