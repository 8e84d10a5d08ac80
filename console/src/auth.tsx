import { createContext, useContext, useEffect, useState } from "react";
import { ApiError, call, getToken, onTokenChange, setToken } from "./api/client";

/** Whether a token is held (in memory only), and signing in and out. */
interface Auth {
  readonly signedIn: boolean;
  signIn(token: string): Promise<void>;
  signOut(): void;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: React.ReactNode }) {
  const [signedIn, setSignedIn] = useState(getToken() !== null);
  useEffect(() => onTokenChange(() => setSignedIn(getToken() !== null)), []);
  const auth: Auth = {
    signedIn,
    async signIn(token) {
      const trimmed = token.trim();
      if (trimmed === "") throw new ApiError(401, "ADMIN_UNAUTHORIZED", "Enter the admin token.");
      // Any authenticated call checks the token; status is small.
      await call("/status", { token: trimmed });
      setToken(trimmed);
    },
    signOut() {
      setToken(null);
    },
  };
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const a = useContext(AuthContext);
  if (!a) throw new Error("useAuth outside AuthProvider");
  return a;
}
