/** Where things live inside the output folder; shared by the stage that links and the one that writes. */
export function seedPagePath(articleId: string): string {
  return `articles/${articleId}.html`;
}
