import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { ApiError, setToken } from "./api/client";
import { AuthProvider } from "./auth";
import { RouterProvider } from "./router";
import "./styles.css";

const client = new QueryClient({
  defaultOptions: {
    queries: {
      // Every page shows what is cached at once and refetches on mount: changes made elsewhere appear.
      staleTime: 0,
      refetchOnWindowFocus: true,
      retry: (count, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

// A refused token (revoked, or the store's token changed) signs out.
client.getQueryCache().subscribe((event) => {
  const error = event.query.state.error;
  if (error instanceof ApiError && error.status === 401) setToken(null);
});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={client}>
        <AuthProvider>
          <RouterProvider>
            <App />
          </RouterProvider>
        </AuthProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
