// Amazon API Gateway's example Lambda (seed 004): a proxy integration returns its own CORS headers.
export const handler = async (event) => {
  return {
    statusCode: 200,
    headers: {
      "Access-Control-Allow-Headers": "Content-Type",
      "Access-Control-Allow-Origin": "https://www.example.com",
      "Access-Control-Allow-Methods": "OPTIONS,POST,GET",
      "Content-Type": "application/json",
    },
    body: JSON.stringify({ message: "Hello from Lambda!", requestId: event.requestContext.requestId }),
  };
};
