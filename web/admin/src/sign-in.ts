// Sign-in with Microsoft Entra ID (App Service built-in authentication), where the Function App has it set up: the
// page asks GET admin/sign-in before anything else. A visitor who has not signed in goes to the sign-in page; a
// signed-in admin calls the API with the session cookie the platform set (no function key); where sign-in is not set
// up, the page says how to set it up and asks for the function key.
export type SignInStatus =
  | { builtInAuthentication: false; setUp: string }
  | { builtInAuthentication: true; signedIn: false; loginUrl: string }
  | { builtInAuthentication: true; signedIn: true; name: string | null; hasAdminRole: boolean; appRole: string; logoutUrl: string };

/** The status, or "not set up" when it cannot be read (the page then works with the function key, as before). */
export async function readSignInStatus(url: URL): Promise<SignInStatus> {
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    if (response.ok) return (await response.json()) as SignInStatus;
  } catch {
    // Unreachable: the key form stays, and the first API call says what is wrong.
  }
  return { builtInAuthentication: false, setUp: '' };
}
