// The function key the page sends as `x-functions-key`, kept in this tab's sessionStorage only: closing the tab
// forgets it, and no other tab or later visit sees it. Where sign-in with Microsoft Entra ID is set up, the session
// replaces it (sign-in.ts).
const STORAGE_NAME = 'contentManagerAdmin.functionKey';

export function storedFunctionKey(): string | undefined {
  const key = sessionStorage.getItem(STORAGE_NAME);
  return key === null || key === '' ? undefined : key;
}

export function storeFunctionKey(key: string): void {
  sessionStorage.setItem(STORAGE_NAME, key);
}

export function forgetFunctionKey(): void {
  sessionStorage.removeItem(STORAGE_NAME);
}
