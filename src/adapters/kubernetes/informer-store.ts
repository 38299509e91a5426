// Where an informer keeps its items (informer.ts): a Map, or a store that bounds what it keeps.

/** What an informer keeps its items in: the methods of a Map it uses. */
export interface InformerStore<Item> {
  get(key: string): Item | undefined;
  set(key: string, item: Item): unknown;
  delete(key: string): boolean;
  keys(): IterableIterator<string>;
  values(): IterableIterator<Item>;
  readonly size: number;
}
