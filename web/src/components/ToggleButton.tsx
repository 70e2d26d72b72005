/** A button that opens and closes one item of a list, saying to screen readers which item and whether it is open. */
interface Props {
  open: boolean;
  onToggle: () => void;
  /** What the button says while the item is closed, and while it is open. */
  labels: [closed: string, open: string];
  /** Read out after the label, to tell this item's button from the others', such as " of invoice.paid". */
  of: string;
  className?: string;
}

export function ToggleButton({ open, onToggle, labels, of, className = 'small' }: Props) {
  return (
    <button type="button" className={className} aria-expanded={open} onClick={onToggle}>
      {open ? labels[1] : labels[0]}
      <span className="sr-only">{of}</span>
    </button>
  );
}
